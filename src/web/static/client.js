// Upvotes without a page reload. The forms work without this script; it only sends them in the background.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains('vote-form')) return;
  event.preventDefault();
  const button = form.querySelector('button');
  if (!button || button.disabled) return;
  button.disabled = true;
  try {
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch(form.action, {
      method: 'POST',
      body,
      headers: { accept: 'application/json', 'x-csrf-token': body.get('_csrf') ?? '' },
      credentials: 'same-origin',
    });
    if (!response.ok) throw new Error(String(response.status));
    const result = await response.json();
    for (const other of document.querySelectorAll(
      `form.vote-form[action="${CSS.escape(form.getAttribute('action'))}"] button`,
    )) {
      other.setAttribute('aria-pressed', String(result.voted));
      other.classList.toggle('vote-on', result.voted);
      const count = other.querySelector('.vote-count');
      if (count) count.textContent = result.upvotesText;
      const noun = result.upvotes === 1 ? 'upvote' : 'upvotes';
      for (const label of other.querySelectorAll('.vote-label, .sr-only'))
        label.textContent = label.classList.contains('sr-only') ? ` ${noun}` : noun;
      other.title = `${result.voted ? 'Remove your upvote' : 'Upvote'} (${result.upvotesText} ${noun})`;
    }
  } catch {
    form.submit(); // fall back to the plain form post, which shows what went wrong
  } finally {
    button.disabled = false;
  }
});

// Copy buttons (the "Cite" box): shown only where this script runs; without it the text is selected by hand.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = 'Copied';
    } catch {
      button.textContent = 'Select and copy';
    }
    setTimeout(() => {
      button.textContent = label;
    }, 2000);
  });
}
