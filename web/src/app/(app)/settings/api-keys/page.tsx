import { ApiKeysSettings } from "@/features/settings/api-keys";

export const metadata = { title: "API keys · Settings" };

export default function ApiKeysPage() {
  return <ApiKeysSettings />;
}
