/**
 * WAI-ARIA tabs (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): one tab stop for the list, arrow keys, Home and
 * End move between tabs, and activating a tab shows its panel.
 */
export interface Tabs {
  select(id: string): void;
}

export function setupTabs(list: HTMLElement, onSelect: (panelId: string) => void): Tabs {
  const tabs = Array.from(list.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
  const select = (tab: HTMLButtonElement, focus: boolean): void => {
    for (const t of tabs) {
      const selected = t === tab;
      t.setAttribute('aria-selected', String(selected));
      t.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(t.getAttribute('aria-controls') ?? '');
      if (panel !== null) panel.hidden = !selected;
    }
    if (focus) tab.focus();
    onSelect(tab.getAttribute('aria-controls') ?? '');
  };
  for (const tab of tabs) {
    tab.addEventListener('click', () => select(tab, false));
    tab.addEventListener('keydown', (event) => {
      const i = tabs.indexOf(tab);
      const target =
        event.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length]
        : event.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length]
        : event.key === 'Home' ? tabs[0]
        : event.key === 'End' ? tabs[tabs.length - 1]
        : undefined;
      if (target === undefined) return;
      event.preventDefault();
      select(target, true);
    });
  }
  return {
    select(panelId) {
      const tab = tabs.find((t) => t.getAttribute('aria-controls') === panelId);
      if (tab !== undefined) select(tab, true);
    },
  };
}
