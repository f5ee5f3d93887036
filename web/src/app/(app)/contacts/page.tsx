import { ContactsView } from "./contacts-view";

export const metadata = { title: "Contacts" };

export default function ContactsPage() {
  return <ContactsView />;
}
