"""The product set panel of a product's page: the proposal and the confirmation."""

from django import template

from registry.models import ProductSet

from ..forms import ProductSetForm
from ..suggest import suggest_product_set

register = template.Library()


@register.inclusion_tag("evaluation/_product_set.html", takes_context=True)
def product_set_panel(context, product, can_confirm):
    """The set proposed from the product's name (with its alternatives) and, for
    whoever may edit the product, the form that confirms or changes the set; a form
    the page got back refused (``product_set_form``) is shown as it was posted."""
    suggestion = suggest_product_set(product.name)
    numbers = [suggestion.number, *suggestion.alternatives] if suggestion else []
    named = {s.number: s for s in ProductSet.objects.filter(number__in=numbers)}
    proposed = named.get(suggestion.number) if suggestion else None
    form = None
    if can_confirm:
        form = context.get("product_set_form") or ProductSetForm(
            initial={
                "product_set": product.product_set_id or (proposed and proposed.pk)
            }
        )
    return {
        "product": product,
        "suggestion": suggestion,
        "proposed": proposed,
        "alternatives": [named[n] for n in numbers[1:] if n in named],
        "form": form,
    }
