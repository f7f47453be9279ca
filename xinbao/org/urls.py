from django.urls import path

from xinbao.org import terms, views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/roster/assign/", views.roster_assign, name="roster_assign"),
    path("roster/<int:pk>/end/", views.roster_end, name="roster_end"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("import/", views.import_view, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:pk>/edit/", views.class_edit, name="class_edit"),
    path("classes/<int:pk>/retire/", views.class_retire, name="class_retire"),
    path("classes/<int:pk>/delete/", views.class_delete, name="class_delete"),
    path("office/", views.office, name="office"),
    path("setup/", views.setup, name="setup"),
    path("dictionary/", terms.term_list, name="term_list"),
    path("dictionary/<int:pk>/edit/", terms.term_edit, name="term_edit"),
    path("dictionary/<int:pk>/delete/", terms.term_delete, name="term_delete"),
]
