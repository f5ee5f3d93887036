import { TwilioSettings } from "@/features/settings/twilio";

export const metadata = { title: "Twilio · Settings" };

export default function TwilioPage() {
  return <TwilioSettings />;
}
