"""WhatsApp content templates (Twilio's Content API): the definitions Teller needs, their
SIDs in Redis, the sync command that creates them, and the button and list replies built from
the choices a flow's reply already lists. See docs/whatsapp.md, "Buttons and lists"."""
