import { TemplatesView } from "./templates-view";

export const metadata = { title: "Templates" };

export default function TemplatesPage() {
  return <TemplatesView />;
}
