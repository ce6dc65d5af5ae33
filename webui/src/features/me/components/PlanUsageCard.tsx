import { Link } from 'react-router';
import { Card } from '@/components/ui';
import { paths } from '@/config/paths';
import { formatUsage, PLAN_LIMITS } from '@/lib/plan-limits';
import type { Plan, PlanLimitKey, PlanUsage } from '@/types/api';

type PlanUsageCardProps = { plan: Plan; usage: PlanUsage };

/** Where each counted thing is managed. */
const MANAGE: Partial<Record<PlanLimitKey, { to: string; label: string }>> = {
  max_domains: { to: paths.panel.domains, label: 'Manage domains' },
  max_databases: { to: paths.panel.databases, label: 'Manage databases' },
  max_cron_jobs: { to: paths.panel.cronJobs, label: 'Manage cron jobs' },
};

/** What the account uses of each limit of its plan: "3 of 10 domains", "Unlimited". */
export function PlanUsageCard({ plan, usage }: PlanUsageCardProps) {
  return (
    <Card title={`Plan: ${plan.name}`}>
      <dl className="facts">
        {PLAN_LIMITS.map(({ key, label, noun, hint }) => {
          const limit = plan[key];
          // Absent where the gateway does not count it: disk use on a server without quotas.
          const used = usage[key];
          const text = formatUsage(limit, used, noun);
          const manage = MANAGE[key];
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
                  {manage ? (
                    <Link className="usage__link" to={manage.to}>
                      {manage.label}
                    </Link>
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
