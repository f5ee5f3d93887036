import { AiSettings } from "@/features/settings/ai";

export const metadata = { title: "AI assistant · Settings" };

export default function AiPage() {
  return <AiSettings />;
}
