"""The product's URLs plus the ceiling: a bare Django view that inserts one row.

Only benchmarks/settings.py uses this module; the product's URLs do not include it.
"""
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from config.urls import handler404, handler500, urlpatterns as product_urlpatterns  # noqa: F401

CEILING_TABLE = "bench_ceiling"


@csrf_exempt
@require_POST
def insert_one(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (payload) VALUES (%s)", [request.POST.get("payload", "")])
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/insert/", insert_one, name="bench_insert"), *product_urlpatterns]
