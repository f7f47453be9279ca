from django.urls import path

from xinbao.research import views

app_name = "research"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    # The commission's link in the units' messages is /research/<pk>/ (services).
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/send/", views.send, name="send"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("<int:pk>/notice.pdf", views.notice_pdf, name="notice_pdf"),
]
