/** A filter select: "All …" (the empty value) followed by each allowed value. */
export function ChoiceFilter(props: {
  label: string;
  allLabel: string;
  value: string;
  choices: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <select aria-label={props.label} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
      <option value="">{props.allLabel}</option>
      {props.choices.map((value) => (
        <option key={value} value={value}>
          {value}
        </option>
      ))}
    </select>
  );
}
