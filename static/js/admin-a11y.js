'use strict';
// The admin's own widgets, named for assistive technology where Django's scripts leave a gap:
// the filter boxes of a two-list selector (SelectFilter2.js, e.g. a group's permissions) are
// labelled by an icon that carries an aria-label but no role, which ARIA does not allow on a plain
// span; as an image (role="img") its aria-label is allowed and names the filter box.
{
    const nameIcons = (root) => {
        for (const icon of root.querySelectorAll('.search-label-icon[aria-label]:not([role])')) {
            icon.setAttribute('role', 'img');
        }
    };
    // The selectors are built on the window's load event, after this script: fix them as they appear.
    new MutationObserver(() => nameIcons(document)).observe(document.documentElement, {childList: true, subtree: true});
    document.addEventListener('DOMContentLoaded', () => nameIcons(document));
}
