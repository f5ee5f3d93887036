import { NumbersView } from "./numbers-view";

export const metadata = { title: "Numbers" };

export default function NumbersPage() {
  return <NumbersView />;
}
