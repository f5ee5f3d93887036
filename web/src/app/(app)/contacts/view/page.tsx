import { ContactView } from "./contact-view";

export const metadata = { title: "Contact" };

export default function ContactPage() {
  return <ContactView />;
}
