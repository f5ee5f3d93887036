import * as React from "react";

import { cn } from "@/lib/utils";

import { Button } from "./button";
import { Spinner } from "./states";

/** What a TanStack infinite query offers for its next page. */
interface NextPage {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** The button under a cursor-paged list: the next page, while there is one. */
export function LoadMore({
  pages,
  label = "Load more",
  size,
  className,
}: {
  pages: NextPage;
  label?: string;
  size?: React.ComponentProps<typeof Button>["size"];
  className?: string;
}) {
  if (!pages.hasNextPage) return null;
  return (
    <div className={cn("flex justify-center", className)}>
      <Button
        variant="outline"
        size={size}
        disabled={pages.isFetchingNextPage}
        onClick={() => void pages.fetchNextPage()}
      >
        {pages.isFetchingNextPage ? <Spinner label="Loading more" /> : null}
        {label}
      </Button>
    </div>
  );
}
