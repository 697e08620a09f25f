"""WhatsApp Cloud API webhook bodies, shaped as Meta delivers them
(developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples)."""
from __future__ import annotations

import time


def delivery(phone_number_id: str, value: dict) -> dict:
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "15550001111", "phone_number_id": phone_number_id}, **value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}


def inbound_text(phone_number_id: str, wamid: str, sender: str, text: str, name: str = "Guest") -> dict:
    return delivery(phone_number_id, {
        "contacts": [{"profile": {"name": name}, "wa_id": sender}],
        "messages": [{"from": sender, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}],
    })


def status(phone_number_id: str, wamid: str, recipient: str, state: str, errors: list | None = None) -> dict:
    item = {"id": wamid, "status": state, "timestamp": str(int(time.time())), "recipient_id": recipient}
    if errors:
        item["errors"] = errors
    return delivery(phone_number_id, {"statuses": [item]})


REENGAGEMENT_ERROR = {
    "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
    "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
}
