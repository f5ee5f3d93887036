import { EndpointView } from "./endpoint-view";

export const metadata = { title: "Webhook endpoint" };

export default function WebhookEndpointPage() {
  return <EndpointView />;
}
