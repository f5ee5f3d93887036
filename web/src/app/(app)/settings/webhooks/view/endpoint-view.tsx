"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { EndpointDetail } from "@/features/webhooks/endpoint-detail";

function Endpoint() {
  const id = useSearchParams().get("id") ?? "";
  return <EndpointDetail key={id} id={id} />;
}

/** /settings/webhooks/view?id=<endpoint>&status=&event= (ids in the query: static export). */
export function EndpointView() {
  return (
    <Suspense>
      <Endpoint />
    </Suspense>
  );
}
