import type { ProjectStatus, TaskStatus, UserRole } from '../../shared/enums';

export interface DemoPerson {
  name: string;
  email: string;
  role: UserRole;
  department: string;
  position: string;
  manager: string | null;
  hireDate: string;
}

/** The first person is the one signed in after the demo loads. */
export const DEMO_PEOPLE: DemoPerson[] = [
  { name: 'Alex Morgan', email: 'alex.morgan@example.com', role: 'coordinator', department: 'Operations', position: 'Project Coordinator', manager: 'Helen Park', hireDate: '2021-03-15' },
  { name: 'Helen Park', email: 'helen.park@example.com', role: 'admin', department: 'Management', position: 'Head of Delivery', manager: null, hireDate: '2017-09-01' },
  { name: 'Maria Garcia', email: 'maria.garcia@example.com', role: 'member', department: 'Engineering', position: 'Senior Frontend Developer', manager: 'Daniel Okafor', hireDate: '2019-06-03' },
  { name: 'Daniel Okafor', email: 'daniel.okafor@example.com', role: 'coordinator', department: 'Engineering', position: 'Engineering Manager', manager: 'Helen Park', hireDate: '2018-01-22' },
  { name: 'Priya Shah', email: 'priya.shah@example.com', role: 'member', department: 'Engineering', position: 'Backend Developer', manager: 'Daniel Okafor', hireDate: '2022-02-14' },
  { name: 'Tom Becker', email: 'tom.becker@example.com', role: 'member', department: 'Engineering', position: 'QA Engineer', manager: 'Daniel Okafor', hireDate: '2020-11-09' },
  { name: 'Lena Novak', email: 'lena.novak@example.com', role: 'member', department: 'Design', position: 'Product Designer', manager: 'Sofia Rossi', hireDate: '2021-08-30' },
  { name: 'Sofia Rossi', email: 'sofia.rossi@example.com', role: 'coordinator', department: 'Design', position: 'Design Lead', manager: 'Helen Park', hireDate: '2019-04-01' },
  { name: 'James Wilson', email: 'james.wilson@example.com', role: 'member', department: 'Marketing', position: 'Content Strategist', manager: 'Aisha Bello', hireDate: '2023-01-09' },
  { name: 'Aisha Bello', email: 'aisha.bello@example.com', role: 'coordinator', department: 'Marketing', position: 'Marketing Manager', manager: 'Helen Park', hireDate: '2020-05-18' },
  { name: 'Kenji Tanaka', email: 'kenji.tanaka@example.com', role: 'member', department: 'Operations', position: 'IT Administrator', manager: 'Alex Morgan', hireDate: '2022-10-03' },
  { name: 'Olga Ivanova', email: 'olga.ivanova@example.com', role: 'member', department: 'Finance', position: 'Billing Specialist', manager: 'Alex Morgan', hireDate: '2024-02-19' },
];

export interface DemoProject {
  name: string;
  description: string;
  startOffsetDays: number;
  deadlineOffsetDays: number;
  statusPath: ProjectStatus[];
  statusMix: TaskStatus[];
  team: string[];
  tasks: string[];
}

export const DEMO_PROJECTS: DemoProject[] = [
  {
    name: 'Website Relaunch',
    description: 'New marketing website with the refreshed brand, a faster CMS and localisation for three markets.',
    startOffsetDays: -45,
    deadlineOffsetDays: 21,
    statusPath: ['in_progress'],
    statusMix: ['todo', 'in_progress', 'in_progress', 'testing', 'awaiting_feedback', 'done', 'done'],
    team: ['Alex Morgan', 'Maria Garcia', 'Lena Novak', 'James Wilson', 'Tom Becker'],
    tasks: [
      'Finalise homepage hero design',
      'Migrate blog posts to the new CMS',
      'Set up redirects from old URLs',
      'Write copy for the pricing page',
      'Accessibility audit of templates',
      'Localise navigation for German and French',
      'Performance budget and Lighthouse checks',
      'Cookie consent banner',
      'Launch checklist and go-live plan',
      'Fix layout shift on mobile product pages',
      'Review legal pages with counsel',
      'Image optimisation pipeline',
    ],
  },
  {
    name: 'CRM Data Cleanup',
    description: 'Deduplicate customers, merge contacts and fix billing addresses in Perfex before the audit.',
    startOffsetDays: -20,
    deadlineOffsetDays: 10,
    statusPath: ['in_progress'],
    statusMix: ['todo', 'todo', 'in_progress', 'awaiting_feedback', 'done'],
    team: ['Olga Ivanova', 'Kenji Tanaka', 'Priya Shah', 'Alex Morgan'],
    tasks: [
      'Export duplicate customer report',
      'Merge duplicate contacts for top 50 clients',
      'Correct VAT numbers on invoices',
      'Archive inactive leads older than two years',
      'Fix billing addresses with missing postcodes',
      'Document the cleanup rules for finance',
      'Reconcile project hours with timesheets',
      'Remove test customers from production',
      'Check invoice layout after the template change',
      'Sign-off meeting with finance',
      'Backup CRM database before bulk edits',
      'Update client contact owners',
    ],
  },
  {
    name: 'Mobile App v2',
    description: 'Offline mode, push notifications and a redesigned task screen for field staff.',
    startOffsetDays: -70,
    deadlineOffsetDays: 45,
    statusPath: ['in_progress'],
    statusMix: ['todo', 'in_progress', 'in_progress', 'testing', 'done'],
    team: ['Maria Garcia', 'Priya Shah', 'Tom Becker', 'Lena Novak', 'Daniel Okafor'],
    tasks: [
      'Offline storage for task lists',
      'Push notification service',
      'Redesign the task detail screen',
      'Sync conflict handling on reconnect',
      'Crash reporting integration',
      'Beta test with the field team',
      'App store screenshots and listing',
      'Login with company SSO',
      'Reduce cold start time',
      'Dark mode support',
      'Regression test plan for release',
      'Battery usage investigation',
    ],
  },
  {
    name: 'Office Move',
    description: 'Move the Berlin team to the new office: network, desks, equipment and the moving day.',
    startOffsetDays: -10,
    deadlineOffsetDays: 35,
    statusPath: [],
    statusMix: ['todo', 'todo', 'todo', 'in_progress', 'awaiting_feedback'],
    team: ['Kenji Tanaka', 'Alex Morgan', 'Helen Park', 'Olga Ivanova'],
    tasks: [
      'Order network equipment',
      'Book the moving company',
      'Floor plan and desk assignment',
      'Transfer internet contract',
      'Set up meeting room displays',
      'Update address on invoices and website',
      'Plan the moving day schedule',
      'Dispose of old furniture',
      'Security badges for all staff',
      'Insurance for equipment in transit',
      'Welcome event in the new office',
      'Printer and scanner setup',
    ],
  },
  {
    name: 'Q3 Marketing Campaign',
    description: 'Autumn campaign for the product launch: webinars, case studies, paid social.',
    startOffsetDays: -120,
    deadlineOffsetDays: -15,
    statusPath: ['in_progress', 'done'],
    statusMix: ['done', 'done', 'done', 'done', 'awaiting_feedback'],
    team: ['James Wilson', 'Aisha Bello', 'Lena Novak', 'Sofia Rossi'],
    tasks: [
      'Campaign brief and budget',
      'Case study with a logistics customer',
      'Webinar landing page',
      'Paid social creatives',
      'Email nurture sequence',
      'Press release for the launch',
      'Campaign results report',
      'Partner newsletter feature',
      'Retargeting audience setup',
      'Customer quote approvals',
      'Event booth materials',
      'Post-campaign retrospective',
    ],
  },
];

export const DEMO_COMMENTS = [
  'I started on this today, first draft by tomorrow.',
  'Blocked until we get the final copy from marketing.',
  'Can we move the due date by a few days? The vendor is late.',
  'Looks good to me, shipping it.',
  'The invoice layout still breaks on the second page.',
  'Waiting for feedback from the client.',
  'I found two more duplicates, added them to the sheet.',
  'Testing on Android went fine, iOS still pending.',
  'Please double-check the numbers before we send this out.',
  'Moved the meeting to Thursday so the whole team can join.',
  'This depends on the network equipment arriving first.',
  'Done on my side, handing over to QA.',
];
