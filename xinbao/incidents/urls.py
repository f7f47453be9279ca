from django.urls import path

from xinbao.incidents import rules, views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("new/suggest/", views.intake_suggest, name="suggest"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/demand/", views.incident_demand, name="demand"),
    path("<int:pk>/phone/", views.incident_phone, name="phone"),
    path("<int:pk>/file/", views.incident_file, name="file"),
    path("<int:pk>/close/", views.incident_close, name="close"),
    path("<int:pk>/follow-up/", views.incident_follow_up, name="follow_up"),
    path("verifications/<int:pk>/close/", views.verification_close, name="verification_close"),
    path("chase/<int:pk>/docx/", views.chase_docx, name="chase_docx"),
    path("chase/<int:pk>/pdf/", views.chase_pdf, name="chase_pdf"),
    # The demand's link in SMS and WeCom messages is /incidents/requests/<pk>/ (services).
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/confirm/", views.request_confirm, name="request_confirm"),
    path("requests/<int:pk>/file/", views.request_file, name="request_file"),
    path("records/", views.record_list, name="record_list"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/docx/", views.notice_docx, name="notice_docx"),
    path("rules/", rules.deadline_rules, name="deadline_rules"),
]
