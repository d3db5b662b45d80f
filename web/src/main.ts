// The dashboard: a header (navigation, language, role, sign out) and one page per
// hash route, e.g. #/segment/rfm/Champions, so the server needs no fallback route.
import './style.css';
import { api, getToken, onUnauthorized, setToken } from './api';
import { disposeCharts } from './charts';
import { clear, h, routeHref } from './dom';
import { initLanguage, language, LANGUAGES, onLanguageChange, setLanguage, t } from './i18n';
import type { MessageKey } from './i18n';
import { customerPage } from './pages/customer';
import { experimentsPage } from './pages/experiments';
import { kpisPage } from './pages/kpis';
import { migrationPage } from './pages/migration';
import { overviewPage } from './pages/overview';
import { rulesPage } from './pages/rules';
import { segmentPage } from './pages/segment';
import { segmentationPage } from './pages/segmentation';
import { signInPage } from './pages/signin';
import type { Token } from './types';
import { errorBox, type Page } from './ui';

interface Route {
  name: string;
  params: string[];
  query: URLSearchParams;
}

const PAGES: Record<string, { page: Page; params: number; nav?: string }> = {
  '': { page: overviewPage, params: 0, nav: 'overview' },
  segmentation: { page: segmentationPage, params: 1, nav: 'overview' },
  segment: { page: segmentPage, params: 2, nav: 'overview' },
  migration: { page: migrationPage, params: 0, nav: 'migration' },
  customer: { page: customerPage, params: 0, nav: 'customer' },
  rules: { page: rulesPage, params: 0, nav: 'rules' },
  experiments: { page: experimentsPage, params: 0, nav: 'experiments' },
  kpis: { page: kpisPage, params: 0, nav: 'kpis' },
};

const NAV: Array<{ id: string; href: string; label: MessageKey }> = [
  { id: 'overview', href: routeHref(), label: 'nav.overview' },
  { id: 'migration', href: routeHref('migration'), label: 'nav.migration' },
  { id: 'customer', href: routeHref('customer'), label: 'nav.customer' },
  { id: 'rules', href: routeHref('rules'), label: 'nav.rules' },
  { id: 'experiments', href: routeHref('experiments'), label: 'nav.experiments' },
  { id: 'kpis', href: routeHref('kpis'), label: 'nav.kpis' },
];

let me: Token | null = null;
let notice: MessageKey | null = null;
let current: AbortController | null = null;

const header = h('header', { class: 'app-header' });
const main = h('main', { id: 'main', tabindex: '-1' });

function parseRoute(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?', 2);
  const parts = path
    .split('/')
    .filter(Boolean)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  return { name: parts[0] ?? '', params: parts.slice(1), query: new URLSearchParams(search) };
}

function languageSwitcher(): HTMLElement {
  const select = h(
    'select',
    { id: 'language', 'data-testid': 'language-select' },
    LANGUAGES.map((lang) =>
      h('option', { value: lang.code, lang: lang.code, selected: lang.code === language().code }, lang.name),
    ),
  );
  select.addEventListener('change', () => setLanguage(select.value));
  // The label is for screen readers; the language names say what the select is for.
  return h(
    'div',
    { class: 'language' },
    h('label', { for: 'language', class: 'visually-hidden' }, t('header.language')),
    select,
  );
}

function renderHeader(active: string | undefined): void {
  clear(header);
  const brand = h('a', { class: 'brand', href: routeHref() }, 'Segmenta');
  if (!me) {
    header.append(brand, h('div', { class: 'spacer' }), languageSwitcher());
    return;
  }
  const signOut = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': 'sign-out' },
    t('header.sign_out'),
  );
  signOut.addEventListener('click', () => signOutWith(null));
  header.append(
    brand,
    h(
      'nav',
      { 'aria-label': t('header.navigation') },
      h(
        'ul',
        null,
        NAV.map((item) =>
          h(
            'li',
            null,
            h(
              'a',
              {
                href: item.href,
                'data-testid': `nav-${item.id}`,
                'aria-current': item.id === active ? 'page' : undefined,
              },
              t(item.label),
            ),
          ),
        ),
      ),
    ),
    h('div', { class: 'spacer' }),
    languageSwitcher(),
    h(
      'span',
      { class: 'who', title: `${t('header.signed_in_as')} ${me.name}` },
      h('span', { class: 'visually-hidden' }, t('header.signed_in_as'), ' '),
      h('span', { class: 'name', 'data-testid': 'user-name' }, me.name),
      ' ',
      h(
        'span',
        { class: 'badge role', 'data-testid': 'role', 'data-role': me.role },
        t(`role.${me.role}` as MessageKey),
      ),
    ),
    signOut,
  );
}

function signOutWith(message: MessageKey | null): void {
  setToken(null);
  me = null;
  notice = message;
  void render();
}

async function render(): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  disposeCharts();
  const route = parseRoute();
  const root = h('div', { class: 'page', 'data-page': route.name || 'overview' });
  clear(main);
  main.append(root);

  if (!getToken()) {
    me = null;
    renderHeader(undefined);
    signInPage(root, notice, (token) => {
      me = token;
      notice = null;
      void render();
    });
    return;
  }
  if (!me) {
    try {
      me = await api.me(undefined, controller.signal);
    } catch (error) {
      if (controller.signal.aborted || !getToken()) return;
      renderHeader(undefined);
      const box = errorBox(error);
      if (box) root.append(box);
      return;
    }
    if (controller.signal.aborted) return;
  }
  const entry = PAGES[route.name];
  renderHeader(entry?.nav);
  if (!entry || route.params.length < entry.params) {
    root.append(
      h('h1', { 'data-testid': 'page-title' }, t('common.not_found')),
      h('p', null, h('a', { href: routeHref() }, t('nav.overview'))),
    );
    return;
  }
  try {
    await entry.page({ root, params: route.params, query: route.query, signal: controller.signal, me });
  } catch (error) {
    const box = errorBox(error);
    if (box && !controller.signal.aborted) root.append(box);
  }
}

function start(): void {
  initLanguage();
  const app = document.getElementById('app') ?? document.body;
  app.append(
    h(
      'a',
      {
        class: 'skip',
        href: '#main',
        onclick: (event: Event) => {
          event.preventDefault();
          main.focus();
        },
      },
      t('header.skip'),
    ),
    header,
    main,
  );
  onUnauthorized(() => signOutWith('signin.expired'));
  onLanguageChange(() => {
    const skip = app.querySelector('.skip');
    if (skip) skip.textContent = t('header.skip');
    void render();
  });
  window.addEventListener('hashchange', () => void render());
  void render();
}

start();
