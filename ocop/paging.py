"""Paging of the lists: a page number out of range shows the nearest page."""


class ForgivingPagination:
    """A ``ListView`` mixin: ``?page=99`` of a 3-page list shows page 3 and
    ``?page=abc`` the first, as a link kept from a longer list should, instead of a
    "page not found"."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
