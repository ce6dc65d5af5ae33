type SpinnerProps = {
  /** Announced to screen readers; omit inside a control that already says it is busy. */
  label?: string;
  size?: 'sm' | 'md' | 'lg';
};

export function Spinner({ label, size = 'md' }: SpinnerProps) {
  const circle = <span className={`spinner spinner--${size}`} aria-hidden="true" />;
  if (!label) return circle;
  return (
    <span role="status" className="spinner-wrap">
      {circle}
      <span className="visually-hidden">{label}</span>
    </span>
  );
}

/** Centred spinner for a region whose data is still loading. */
export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading-state">
      <Spinner label={label} size="lg" />
    </div>
  );
}
