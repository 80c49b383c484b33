/** The whole front end: one form, one fetch. No framework, no external assets. */
export const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>identity-broker chatbot example</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  #log { border: 1px solid #ccc; border-radius: 6px; padding: .5rem 1rem; min-height: 12rem; }
  .me { text-align: right; color: #035; } .bot { color: #333; } .meta { font-size: 12px; color: #888; }
  form { display: flex; gap: .5rem; margin-top: .5rem; } input { flex: 1; padding: .4rem; }
</style>
</head>
<body>
<h1>Chatbot</h1>
<p class="meta">Each browser session gets its own OpenBao identity and its own short-lived database user.</p>
<div id="log" aria-live="polite"></div>
<form id="form"><input id="msg" autocomplete="off" placeholder="Ask about hours, privacy or pricing" required maxlength="500"><button>Send</button></form>
<p><button id="end" type="button">End session</button></p>
<script>
const log = document.getElementById('log');
function add(cls, text) { const p = document.createElement('p'); p.className = cls; p.textContent = text; log.append(p); }
document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('msg');
  const message = input.value; input.value = '';
  add('me', message);
  const res = await fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });
  const body = await res.json();
  if (!res.ok) return add('bot', 'Error: ' + body.error);
  add('bot', body.reply);
  add('meta', 'entity ' + body.entity_id + (body.database_user ? ' · database user ' + body.database_user : '') + ' · ' + body.recent_operations + ' recent operations');
});
document.getElementById('end').addEventListener('click', async () => {
  await fetch('/api/end', { method: 'POST' });
  add('meta', 'session ended: the token and its database user are revoked');
});
</script>
</body>
</html>
`;
