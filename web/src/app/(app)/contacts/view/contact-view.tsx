"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { ContactDetail } from "@/features/contacts/contact-detail";

function Contact() {
  const id = useSearchParams().get("id") ?? "";
  return <ContactDetail key={id} id={id} />;
}

export function ContactView() {
  return (
    <Suspense>
      <Contact />
    </Suspense>
  );
}
