from django.urls import path

from xinbao.org import views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("people/", views.person_list, name="person_list"),
    path("import/", views.import_view, name="import"),
]
