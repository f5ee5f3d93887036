import { SegmentsView } from "./segments-view";

export const metadata = { title: "Segments" };

export default function SegmentsPage() {
  return <SegmentsView />;
}
