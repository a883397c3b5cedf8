from django import template

register = template.Library()


@register.filter
def dictget(d, key):
    return (d or {}).get(key, 0)
