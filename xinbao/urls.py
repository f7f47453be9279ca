from django.urls import include, path

from xinbao import views
from xinbao.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("xinbao.accounts.urls")),
    path("org/", include("xinbao.org.urls")),
    path("items/", include("xinbao.items.urls")),
    path("desk/", include("xinbao.desk.urls")),
    path("periodicals/", include("xinbao.periodicals.urls")),
    path("audit/", include("xinbao.audit.urls")),
    path("notify/", include("xinbao.notify.urls")),
    path("incidents/", include("xinbao.incidents.urls")),
    path("calendar/", include("xinbao.calendar.urls")),
    path("chores/", include("xinbao.scheduler.urls")),
    path("scoring/", include("xinbao.scoring.urls")),
    path("inbound/", include("xinbao.inbound.urls")),
    path("monitor/", include("xinbao.monitor.urls")),
    path("signals/", include("xinbao.signals.urls")),
    path("liaison/", include("xinbao.liaison.urls")),
    path("agenda/", include("xinbao.agenda.urls")),
    path("packs/", include("xinbao.packs.urls")),
    path("topiclists/", include("xinbao.topiclists.urls")),
    path("interests/", include("xinbao.interests.urls")),
    path("research/", include("xinbao.research.urls")),
    path("analysis/", include("xinbao.analysis.urls")),
    path("help/", include("xinbao.help.urls")),
    path("api/v1/", api.urls),
]
