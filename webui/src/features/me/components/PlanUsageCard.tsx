import { Link } from 'react-router';
import { Card } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatUsage, PLAN_LIMITS } from '@/lib/plan-limits';
import type { Plan, PlanUsage } from '@/types/api';

type PlanUsageCardProps = { plan: Plan; usage: PlanUsage };

/** What the account uses of each limit of its plan: "3 of 10 domains", "Unlimited". */
export function PlanUsageCard({ plan, usage }: PlanUsageCardProps) {
  return (
    <Card title={`Plan: ${plan.name}`} actions={<Link to={paths.panel.domains}>Manage domains</Link>}>
      <dl className="facts">
        {PLAN_LIMITS.map(({ key, label, noun, hint }) => {
          const limit = plan[key];
          const used = key === 'disk_quota_mb' ? undefined : usage[key];
          const text = formatUsage(limit, used, noun);
          return (
            <div className="facts__row" key={key}>
              <dt>{label}</dt>
              <dd>
                <span className="usage">
                  <span>{text}</span>
                  {limit !== null && limit > 0 && used !== undefined ? (
                    // The words say it all; the meter repeats it for the eye.
                    <meter
                      className="usage__meter"
                      min={0}
                      max={limit}
                      value={Math.min(used, limit)}
                      aria-hidden="true"
                    />
                  ) : null}
                </span>
                {hint && key !== 'max_domains' ? <span className="usage__hint">{hint}</span> : null}
              </dd>
            </div>
          );
        })}
      </dl>
    </Card>
  );
}
