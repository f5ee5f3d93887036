import { ImportView } from "./import-view";

export const metadata = { title: "Import contacts" };

export default function ImportPage() {
  return <ImportView />;
}
