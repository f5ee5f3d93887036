import { DocsView } from "./docs-view";

export const metadata = { title: "API reference" };

export default function DocsPage() {
  return <DocsView />;
}
