/** The variables a template can use (docs/template-variables.md), for the insert menu. */
export interface VariableChoice {
  label: string;
  /** What is inserted at the caret. */
  tag: string;
}

export const VARIABLES: readonly VariableChoice[] = [
  { label: "First name", tag: "{{first_name|there}}" },
  { label: "Last name", tag: "{{last_name|}}" },
  { label: "Phone", tag: "{{phone}}" },
  { label: "Email", tag: "{{email|}}" },
  { label: "Workspace name", tag: "{{workspace.name}}" },
  { label: "Campaign name", tag: "{{campaign.name|}}" },
  { label: "Custom field", tag: "{{fields.KEY|}}" },
];

/** `text` with `tag` put in place of the selection [start, end); the caret after it. */
export function insertAt(
  text: string,
  tag: string,
  start: number,
  end: number,
): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + tag + text.slice(to), caret: from + tag.length };
}
