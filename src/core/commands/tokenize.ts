/**
 * Splits command text into words the way a user expects from a shell: whitespace separates, single or
 * double quotes group ("Team sync" stays one word), a backslash escapes the next character. An unclosed
 * quote runs to the end of the text rather than failing: the user sees their argument, not a parse error.
 * Mattermost clients send smart quotes from some keyboards, so “ ” ‘ ’ count as quotes too.
 */
export function tokenize(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  const closing: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (quote) {
      if (c === closing[quote] || (quote === '“' && c === '“')) quote = undefined;
      else current += c;
    } else if (c in closing) {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
