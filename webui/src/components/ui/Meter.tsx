type MeterProps = {
  /** What is measured; with `text`, the bar's accessible name and value. */
  label: string;
  value: number;
  max: number;
  /** The figures in words, shown beside the label: "12.3 GB of 40 GB". */
  text: string;
};

const WARN = 0.8;
const DANGER = 0.9;

/** A labelled bar for how full something is; the words carry the meaning, colour repeats it. */
export function Meter({ label, value, max, text }: MeterProps) {
  const share = max > 0 ? Math.min(1, Math.max(0, value / max)) : 0;
  const tone = share >= DANGER ? 'danger' : share >= WARN ? 'warning' : 'ok';
  return (
    <div className="meter">
      <div className="meter__caption">
        <span className="meter__label">{label}</span>
        <span className="meter__text">{text}</span>
      </div>
      <div
        className={`meter__track meter__track--${tone}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(share * 100)}
        aria-valuetext={text}
      >
        <span className="meter__fill" style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
