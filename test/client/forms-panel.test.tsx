// @vitest-environment happy-dom
// The dashboard's Forms tab and CSV upload against a fake API: editing a form sends only
// what the API takes (cleared optional texts as null), the preview renders the draft, the
// embed code escapes the title; the upload posts text/csv and shows the counts.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embedSnippet } from '../../client/src/components/FormsPanel';
import { ManagerView } from '../../client/src/components/ManagerView';
import { createManagerModel, type ManagerModel } from '../../client/src/state/managerModel';
import type { HostedForm } from '../../shared/protocol';
import { connected, dashboard, fakeHttp } from './fixtures';

const form: HostedForm = {
  id: 'form_1',
  name: 'Contact',
  poolId: 'default',
  fields: ['name', 'email'],
  required: [],
  title: 'Talk to "sales" <now>',
  intro: 'Hello',
  submitLabel: 'Send',
  consentText: 'I agree',
  successMessage: 'Thanks',
  embedOrigins: ['https://www.example.com'],
  createdAt: new Date(0).toISOString(),
  url: 'http://leads.test/form/form_1',
};

let api: ReturnType<typeof fakeHttp>;
let model: ManagerModel;
beforeEach(() => {
  api = fakeHttp();
  const answers: Record<string, unknown> = { '/api/forms': { forms: [form] }, '/api/reps': { reps: [] }, '/api/feeds': { feeds: [] } };
  api.get.mockImplementation(async (path: string) => answers[path] ?? {});
  model = createManagerModel(api.http, connected());
  model.applyDashboard(dashboard());
});
afterEach(cleanup);

describe('Forms tab', () => {
  it('lists forms with link and embed code; editing sends cleared texts as null; the preview shows the draft', async () => {
    render(<ManagerView model={model} />);
    fireEvent.click(screen.getByRole('tab', { name: /^Forms/ }));
    const row = await screen.findByText('Contact');
    const li = row.closest('li')!;
    expect((within(li).getByRole('textbox', { name: 'Link to Contact' }) as HTMLInputElement).value).toBe(form.url);
    expect(embedSnippet(form)).toBe(
      '<iframe src="http://leads.test/form/form_1" title="Talk to &#34;sales&#34; &#60;now&#62;" style="width:100%;min-height:560px;border:0" loading="lazy"></iframe>',
    );
    fireEvent.click(within(li).getByRole('button', { name: 'Edit Contact' }));
    const editor = screen.getByRole('form', { name: 'Edit form Contact' });
    fireEvent.input(within(editor).getByLabelText('Introduction'), { target: { value: '' } });
    fireEvent.input(within(editor).getByLabelText('Title'), { target: { value: 'New <b>title</b>' } });
    const preview = screen.getByTestId('form-preview') as HTMLIFrameElement;
    await waitFor(() => expect(preview.getAttribute('srcdoc')).toContain('<h1>New &lt;b&gt;title&lt;/b&gt;</h1>'));
    expect(preview.getAttribute('sandbox')).toBe('');
    api.patch.mockResolvedValueOnce({ form: { ...form, title: 'New <b>title</b>', intro: undefined } });
    fireEvent.submit(editor);
    await waitFor(() => expect(api.patch).toHaveBeenCalled());
    const [path, body] = api.patch.mock.calls[0];
    expect(path).toBe('/api/forms/form_1');
    expect(body).toMatchObject({
      title: 'New <b>title</b>',
      intro: null,
      consentText: 'I agree',
      redirectUrl: null,
      embedOrigins: ['https://www.example.com'],
    });
  });

  it('the CSV upload posts text/csv into the chosen pool and shows the counts and rejected lines', async () => {
    api.post.mockResolvedValueOnce({
      created: 2,
      duplicates: 1,
      disqualified: 0,
      rejected: [{ line: 4, reason: 'email: Invalid email address' }],
    });
    render(<ManagerView model={model} />);
    fireEvent.click(screen.getByRole('tab', { name: /^Feeds/ }));
    const formEl = screen.getByRole('form', { name: 'Import leads' });
    const file = new File(['email\na@example.com\n'], 'leads.csv', { type: 'text/csv' });
    fireEvent.change(within(formEl).getByLabelText('CSV file'), { target: { files: [file] } });
    fireEvent.submit(formEl);
    const result = await screen.findByTestId('import-result');
    expect(result.textContent).toMatch(/2 created, 1 duplicates, 0 disqualified, 1 rejected\.Line 4: email: Invalid email address/);
    const [path, body] = api.post.mock.calls.find(([p]) => p.endsWith('/leads/import'))!;
    expect(path).toBe('/api/pools/default/leads/import');
    expect(body).toBeInstanceOf(Blob);
    expect((body as Blob).type).toBe('text/csv');
  });
});
