// Two live regions: polite status messages and assertive alerts (errors).
export function announce(message, { assertive = false } = {}) {
  const region = document.getElementById(assertive ? "live-alert" : "live-status");
  if (!region) return;
  region.textContent = "";
  // A fresh text node after a tick makes screen readers read repeated messages again.
  setTimeout(() => { region.textContent = message; }, 30);
}
