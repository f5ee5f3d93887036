import { CampaignsView } from "./campaigns-view";

export const metadata = { title: "Campaigns" };

export default function CampaignsPage() {
  return <CampaignsView />;
}
