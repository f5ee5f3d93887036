import "./globals.css";

import type { Metadata, Viewport } from "next";

import { Providers } from "./providers";

export const metadata: Metadata = {
  title: { template: "%s · SMS Platform", default: "SMS Platform" },
  description: "SMS campaigns, a shared inbox and AI replies.",
};

export const viewport: Viewport = { themeColor: "#4338ca", width: "device-width" };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
