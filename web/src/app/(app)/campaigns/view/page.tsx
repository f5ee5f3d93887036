import { CampaignView } from "./campaign-view";

export const metadata = { title: "Campaign" };

export default function CampaignPage() {
  return <CampaignView />;
}
