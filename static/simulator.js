// The chat simulator: signs each message like Twilio (via /simulator/sign), posts it to the real
// webhook, and shows the TwiML reply. Text is always inserted with textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const E164 = /^\+[1-9][0-9]{6,14}$/;
const seen = new Set();

function currentNumber() {
  const picked = $("customer").value;
  return picked || $("number").value.trim();
}

// Render WhatsApp-style *bold* safely: split on asterisks and build <strong> nodes.
function formatted(text) {
  const fragment = document.createDocumentFragment();
  text.split(/(\*[^*\n]+\*)/).forEach((part) => {
    if (/^\*[^*\n]+\*$/.test(part)) {
      const strong = document.createElement("strong");
      strong.textContent = part.slice(1, -1);
      fragment.appendChild(strong);
    } else {
      withLinks(fragment, part);
    }
  });
  return fragment;
}

// Links in replies (the secure pages) open in a new tab, as WhatsApp would open them.
function withLinks(fragment, text) {
  text.split(/(https?:\/\/[^\s]+)/).forEach((piece) => {
    if (/^https?:\/\//.test(piece)) {
      const link = document.createElement("a");
      link.href = piece;
      link.textContent = piece;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      fragment.appendChild(link);
    } else if (piece) {
      fragment.appendChild(document.createTextNode(piece));
    }
  });
}

function bubble(kind, text, mediaUrls) {
  const item = document.createElement("li");
  item.className = kind;
  item.appendChild(formatted(text));
  (mediaUrls || []).forEach((url) => {
    const link = document.createElement("a");
    link.href = url;
    link.textContent = "📎 " + (url.split("/").pop() || "attachment");
    link.target = "_blank";
    link.rel = "noopener";
    item.appendChild(document.createElement("br"));
    item.appendChild(link);
  });
  $("chat").appendChild(item);
  $("chat").scrollTop = $("chat").scrollHeight;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

async function send(text) {
  const number = currentNumber();
  if (!E164.test(number)) {
    showError("Please enter a number in international format, such as +447700900123.");
    return;
  }
  showError("");
  const signing = await fetch("/simulator/sign", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ from: number, body: text }),
  });
  const signed = await signing.json();
  if (!signing.ok) {
    showError(signed.error || "That message could not be prepared.");
    return;
  }
  bubble("out", text);
  const response = await fetch(signed.url, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signed.signature,
    },
    body: new URLSearchParams(signed.params).toString(),
  });
  if (response.status !== 200) {
    bubble("system", `The webhook answered ${response.status}.`);
    return;
  }
  const xml = new DOMParser().parseFromString(await response.text(), "application/xml");
  xml.querySelectorAll("Message").forEach((message) => {
    const media = Array.from(message.querySelectorAll("Media")).map((m) => m.textContent);
    const body = message.querySelector("Body");
    const text = body ? body.textContent : Array.from(message.childNodes)
      .filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("");
    bubble("in", text, media);
  });
  refreshInbox();
}

async function refreshInbox() {
  const number = currentNumber();
  $("inbox-number").textContent = number || "—";
  if (!E164.test(number)) return;
  const response = await fetch("/dev/outbox?to=" + encodeURIComponent(number));
  if (!response.ok) return;
  const { messages } = await response.json();
  messages.forEach((message) => {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    if (message.channel === "whatsapp") {
      bubble("in", message.body, message.media_urls);
      return;
    }
    const item = document.createElement("li");
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${message.channel} · ${new Date(message.created_at).toLocaleTimeString()}`;
    item.appendChild(meta);
    item.appendChild(document.createTextNode(message.body));
    $("inbox").prepend(item);
  });
}

function switchNumber() {
  $("number").hidden = $("customer").value !== "";
  $("chat").replaceChildren();
  $("inbox").replaceChildren();
  seen.clear();
  showError("");
  // Messages already in the outbox for this number belong to earlier sessions: show them in the inbox only.
  refreshInbox();
}

document.addEventListener("DOMContentLoaded", () => {
  $("customer").addEventListener("change", switchNumber);
  $("number").addEventListener("change", switchNumber);
  $("who").addEventListener("submit", (event) => event.preventDefault());
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("message").value;
    if (!text.trim()) return;
    $("message").value = "";
    try {
      await send(text);
    } catch (error) {
      showError("The simulator could not reach the server. Is it still running?");
    }
    $("message").focus();
  });
  switchNumber();
  setInterval(refreshInbox, 2000);
});
