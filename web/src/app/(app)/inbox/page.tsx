import { InboxView } from "./inbox-view";

export const metadata = { title: "Inbox" };

export default function InboxPage() {
  return <InboxView />;
}
