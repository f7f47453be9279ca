from django.urls import path

from xinbao.packs import views

app_name = "packs"

urlpatterns = [
    path("", views.pack_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.build, name="build"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/add/item/", views.add_item, name="add_item"),
    path("<int:pk>/add/instruction/", views.add_instruction, name="add_instruction"),
    path("<int:pk>/add/figure/", views.add_figure, name="add_figure"),
    path("<int:pk>/add/text/", views.add_text, name="add_text"),
    path("<int:pk>/entries/<int:entry>/note/", views.entry_note, name="entry_note"),
    path("<int:pk>/entries/<int:entry>/move/", views.entry_move, name="entry_move"),
    path("<int:pk>/entries/<int:entry>/remove/", views.entry_remove, name="entry_remove"),
    path("<int:pk>/deliver/", views.deliver, name="deliver"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/copy/", views.copy, name="copy"),
    path("<int:pk>/read/", views.read, name="read"),
    path("<int:pk>/docx/", views.pack_docx, name="docx"),
    path("<int:pk>/pdf/", views.pack_pdf, name="pdf"),
]
