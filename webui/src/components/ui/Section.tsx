import { useId, type ReactNode } from 'react';

type SectionProps = { title: string; action?: ReactNode; children: ReactNode };

/** A titled part of a page (level-2 heading), with an optional action beside the title. */
export function Section({ title, action, children }: SectionProps) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <div className="section-header">
        <h2 className="section-header__title" id={id}>
          {title}
        </h2>
        {action}
      </div>
      {children}
    </section>
  );
}
