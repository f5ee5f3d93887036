import { NewCampaignView } from "./new-campaign-view";

export const metadata = { title: "New campaign" };

export default function NewCampaignPage() {
  return <NewCampaignView />;
}
