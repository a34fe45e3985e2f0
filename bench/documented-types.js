// The five event types with hand-written schemas and samples: the benches measure these, so that their figures
// stay comparable as the generated catalogue grows.
export const DOCUMENTED_TYPES = [
  'corehr.department.updated_v2',
  'corehr.employee.domain_event_v2',
  'hire.eco_background_check.canceled_v1',
  'hire.eco_background_check.created_v1',
  'hire.eco_exam.created_v1',
];
