import { WebhookEndpoints } from "@/features/webhooks/endpoints";

export const metadata = { title: "Webhooks" };

export default function WebhooksPage() {
  return <WebhookEndpoints />;
}
