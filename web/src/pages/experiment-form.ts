// The form that creates an experiment (POST /v1/experiments; analysts and admins): name,
// segment, variants with weights, hold-out, goal and start. The server checks it; its
// error is shown at the field it names, or above the button when it names none.
import { api, ApiError } from '../api';
import { h } from '../dom';
import { experimentHref, formFieldOf, type FormField } from '../experiment';
import { t } from '../i18n';
import type { NewExperiment, Overview, Variant } from '../types';
import { errorBox, type PageContext } from '../ui';

const DEFAULT_VARIANTS: Variant[] = [
  { name: 'A', weight: 45 },
  { name: 'B', weight: 45 },
];

interface Field {
  wrap: HTMLElement;
  error: HTMLElement;
  controls: () => HTMLElement[];
}

export function createForm(ctx: PageContext, overview: Overview): HTMLElement {
  const fields = new Map<FormField, Field>();
  const field = (
    name: FormField,
    label: string,
    content: HTMLElement | HTMLElement[],
    help?: string,
    controls?: () => HTMLElement[],
  ): HTMLElement => {
    const error = h('p', {
      class: 'field-error',
      id: `experiment-${name}-error`,
      'data-testid': `field-error-${name}`,
    });
    error.hidden = true;
    const items = Array.isArray(content) ? content : [content];
    const wrap = h(
      'div',
      { class: 'field', 'data-field': name },
      h('label', { for: `experiment-${name}` }, label),
      items,
      help ? h('p', { class: 'muted help', id: `experiment-${name}-help` }, help) : null,
      error,
    );
    fields.set(name, { wrap, error, controls: controls ?? (() => items) });
    return wrap;
  };

  const nameInput = h('input', {
    id: 'experiment-name',
    type: 'text',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    'data-testid': 'experiment-name',
  });
  const segmentations = overview.segmentations;
  const segmentationSelect = h(
    'select',
    { id: 'experiment-segmentation', 'data-testid': 'experiment-segmentation' },
    segmentations.map((item) => h('option', { value: item.name }, item.name)),
  );
  const segmentSelect = h('select', { id: 'experiment-segment', 'data-testid': 'experiment-segment' });
  const fillSegments = () => {
    const chosen = segmentations.find((item) => item.name === segmentationSelect.value);
    segmentSelect.replaceChildren(
      ...(chosen?.segments ?? []).map((segment) =>
        h(
          'option',
          { value: segment.segment, disabled: segment.suppressed },
          segment.suppressed ? `${segment.segment} (${t('common.suppressed_short')})` : segment.segment,
        ),
      ),
    );
    const first = [...segmentSelect.options].find((option) => !option.disabled);
    if (first) segmentSelect.value = first.value;
  };
  segmentationSelect.addEventListener('change', fillSegments);
  fillSegments();

  const variantList = h('div', {
    class: 'variants',
    id: 'experiment-variants',
    'data-testid': 'experiment-variants',
  });
  const variantRows: HTMLElement[] = [];
  const addVariant = (variant: Variant) => {
    const index = variantRows.length;
    const nameBox = h('input', {
      type: 'text',
      value: variant.name,
      required: true,
      'aria-label': `${t('experiments.variant_name')} ${index + 1}`,
      'data-testid': 'variant-name',
    });
    const weightBox = h('input', {
      type: 'number',
      min: 0,
      max: 100,
      step: 'any',
      value: variant.weight,
      required: true,
      'aria-label': `${t('experiments.weight')} ${index + 1}`,
      'data-testid': 'variant-weight',
    });
    const remove = h(
      'button',
      { type: 'button', class: 'link', 'data-testid': 'variant-remove' },
      t('experiments.remove_variant'),
    );
    const row = h('div', { class: 'variant-row' }, nameBox, weightBox, remove);
    remove.addEventListener('click', () => {
      if (variantRows.length <= 1) return;
      variantRows.splice(variantRows.indexOf(row), 1);
      row.remove();
    });
    variantRows.push(row);
    variantList.append(row);
  };
  for (const variant of DEFAULT_VARIANTS) addVariant(variant);
  const addButton = h(
    'button',
    { type: 'button', class: 'link', 'data-testid': 'variant-add' },
    t('experiments.add_variant'),
  );
  addButton.addEventListener('click', () =>
    addVariant({ name: String.fromCharCode(65 + variantRows.length), weight: 0 }),
  );

  const holdoutInput = h('input', {
    id: 'experiment-holdout',
    type: 'number',
    min: 0,
    max: 100,
    step: 'any',
    value: 10,
    required: true,
    'data-testid': 'experiment-holdout-input',
  });
  const goalInput = h('input', {
    id: 'experiment-goal',
    type: 'text',
    value: 'purchase within 14d',
    required: true,
    spellcheck: 'false',
    'data-testid': 'experiment-goal-input',
  });
  const startInput = h('input', {
    id: 'experiment-start',
    type: 'date',
    'data-testid': 'experiment-start-input',
  });

  const formError = h('div', { 'data-testid': 'experiment-form-error', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', 'data-testid': 'experiment-submit' }, t('experiments.submit'));
  const form = h(
    'form',
    { class: 'experiment-form', 'data-testid': 'experiment-form', novalidate: true },
    field('name', t('experiments.name'), nameInput),
    field('segmentation', t('experiments.segmentation'), segmentationSelect),
    field('segment', t('table.segment'), segmentSelect),
    field(
      'variants',
      t('experiments.variants'),
      [variantList, addButton],
      t('experiments.variants_help'),
      () => variantRows.flatMap((row) => [...row.querySelectorAll('input')]),
    ),
    field('holdout', t('experiments.holdout_label'), holdoutInput),
    field('goal', t('experiments.goal'), goalInput, t('experiments.goal_help')),
    field('start', t('experiments.start'), startInput, t('experiments.start_help')),
    formError,
    h('div', { class: 'actions' }, submit),
  );
  // The labels of the variant and button groups point at no single control.
  fields.get('variants')?.wrap.querySelector('label')?.removeAttribute('for');

  const clearErrors = () => {
    formError.replaceChildren();
    for (const item of fields.values()) {
      item.error.hidden = true;
      item.error.textContent = '';
      item.wrap.classList.remove('invalid');
      for (const control of item.controls()) {
        control.removeAttribute('aria-invalid');
        control.removeAttribute('aria-describedby');
      }
    }
  };
  const showError = (error: unknown) => {
    const name = error instanceof ApiError ? formFieldOf(error.field) : null;
    const item = name ? fields.get(name) : undefined;
    if (!item || !(error instanceof ApiError)) {
      const box = errorBox(error, 'experiment-error');
      if (box) formError.replaceChildren(box);
      return;
    }
    item.error.textContent = error.message;
    item.error.hidden = false;
    item.error.setAttribute('role', 'alert');
    item.wrap.classList.add('invalid');
    for (const control of item.controls()) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', item.error.id);
    }
    item.controls()[0]?.focus();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const body: NewExperiment = {
      name: nameInput.value.trim(),
      segmentation: segmentationSelect.value,
      segment: segmentSelect.value,
      variants: variantRows.map((row) => {
        const [nameBox, weightBox] = row.querySelectorAll('input');
        return { name: nameBox.value.trim(), weight: Number(weightBox.value) };
      }),
      holdout: Number(holdoutInput.value),
      goal: goalInput.value.trim(),
    };
    if (startInput.value) body.start = startInput.value;
    submit.disabled = true;
    submit.textContent = t('experiments.creating');
    try {
      const created = await api.createExperiment(body, ctx.signal);
      location.hash = experimentHref(created.name ?? body.name);
    } catch (error) {
      if (ctx.signal.aborted) return;
      showError(error);
    } finally {
      submit.disabled = false;
      submit.textContent = t('experiments.submit');
    }
  });

  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'experiment-create-heading', 'data-testid': 'experiment-create' },
    h('h2', { id: 'experiment-create-heading' }, t('experiments.create')),
    h('p', { class: 'muted' }, t('experiments.create_help')),
    form,
  );
}
