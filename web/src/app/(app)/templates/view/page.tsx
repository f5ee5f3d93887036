import { TemplateView } from "./template-view";

export const metadata = { title: "Template" };

export default function TemplatePage() {
  return <TemplateView />;
}
