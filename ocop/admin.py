"""The audit log and the background jobs, for reading in the admin; never edited."""

from django.contrib import admin

from .models import AuditEntry, Job


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "to_state"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["action", "object_repr", "object_id"]
    date_hierarchy = "created_at"


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "title", "status", "percent", "created_by"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
