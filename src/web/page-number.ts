/** ?p=N: absent means 1; anything but a positive whole number is refused. */
export function parsePage(text: string | undefined): number | null {
  if (text === undefined || text === '') return 1;
  return /^[1-9]\d{0,5}$/.test(text) ? Number(text) : null;
}
