"""Initial schema: every table of the store.

The generated columns are written out as they are for instrument 1.0.0 (31 items) and
check-in 1.0.0 (8 scales, 8 self-care actions).

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 10:59:00.260356

Migrations are frozen history: write columns out literally, never import the
instrument, the check-in or the models here (they change; this file must not).
Test on both backends: pytest tests/store -k migrations.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of_user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=True),
    sa.Column('subject_id', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.CheckConstraint("action IN ('read', 'create', 'change', 'delete', 'export', 'search', 'login_success', 'login_failure', 'authz_denied')", name=op.f('ck_audit_event_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    op.create_index(op.f('ix_audit_event_actor_user_id'), 'audit_event', ['actor_user_id'], unique=False)
    op.create_index(op.f('ix_audit_event_at'), 'audit_event', ['at'], unique=False)
    op.create_index(op.f('ix_audit_event_subject_type_subject_id'), 'audit_event', ['subject_type', 'subject_id'], unique=False)
    op.create_table('team',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team')),
    sa.UniqueConstraint('name', name=op.f('uq_team_name'))
    )
    op.create_table('therapist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('experience', sa.String(length=16), nullable=False),
    sa.Column('contracted_sessions', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.CheckConstraint("experience IN ('starting', 'experienced')", name=op.f('ck_therapist_experience')),
    sa.CheckConstraint('contracted_sessions >= 0 AND contracted_sessions <= 100', name=op.f('ck_therapist_contracted_sessions_range')),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_therapist_team_id_team'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_therapist'))
    )
    op.create_index(op.f('ix_therapist_team_id'), 'therapist', ['team_id'], unique=False)
    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=11), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("code LIKE 'C-____-____'", name=op.f('ck_case_code_format')),
    sa.CheckConstraint('closed_on IS NULL OR closed_on >= opened_on', name=op.f('ck_case_closed_after_opened')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapist.id'], name=op.f('fk_case_therapist_id_therapist'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case')),
    sa.UniqueConstraint('code', name=op.f('uq_case_code'))
    )
    op.create_index(op.f('ix_case_therapist_id'), 'case', ['therapist_id'], unique=False)
    op.create_table('research_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('research_id', sa.String(length=32), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapist.id'], name=op.f('fk_research_consent_therapist_id_therapist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_consent')),
    sa.UniqueConstraint('research_id', name=op.f('uq_research_consent_research_id'))
    )
    op.create_index(op.f('ix_research_consent_therapist_id'), 'research_consent', ['therapist_id'], unique=False)
    op.create_table('selfcare_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('resource', sa.String(length=200), nullable=True),
    sa.Column('review_week', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'achieved', 'partly', 'not_achieved')", name=op.f('ck_selfcare_goal_status')),
    sa.CheckConstraint('review_week >= week_start', name=op.f('ck_selfcare_goal_review_after_start')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapist.id'], name=op.f('fk_selfcare_goal_therapist_id_therapist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_selfcare_goal'))
    )
    op.create_index(op.f('ix_selfcare_goal_therapist_id_week_start'), 'selfcare_goal', ['therapist_id', 'week_start'], unique=False)
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), server_default='nl', nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=True),
    sa.Column('totp_secret', sa.String(length=64), nullable=True),
    sa.Column('failed_logins', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role = 'therapist' AND therapist_id IS NOT NULL) OR (role <> 'therapist' AND therapist_id IS NULL)", name=op.f('ck_user_account_therapist_link')),
    sa.CheckConstraint("language IN ('nl', 'en')", name=op.f('ck_user_account_language')),
    sa.CheckConstraint("role IN ('therapist', 'supervisor', 'researcher', 'admin')", name=op.f('ck_user_account_role')),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_user_account_failed_logins')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapist.id'], name=op.f('fk_user_account_therapist_id_therapist'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('therapist_id', name=op.f('uq_user_account_therapist_id')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('weekly_checkin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('reflection', sa.Text(), nullable=True),
    sa.Column('capacity_score', sa.Double(), nullable=True),
    sa.Column('checkin_version', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('energy', sa.SmallInteger(), nullable=True),
    sa.Column('body_tension', sa.SmallInteger(), nullable=True),
    sa.Column('emotional_exhaustion', sa.SmallInteger(), nullable=True),
    sa.Column('rumination', sa.SmallInteger(), nullable=True),
    sa.Column('sleep', sa.SmallInteger(), nullable=True),
    sa.Column('meaning', sa.SmallInteger(), nullable=True),
    sa.Column('selfcare_time', sa.SmallInteger(), nullable=True),
    sa.Column('burnout', sa.SmallInteger(), nullable=True),
    sa.Column('action_checked_in', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action_pause_walk', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action_breathing', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action_intervision', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action_supervision', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action_boundary', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action_exercise', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('action_time_off', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint('body_tension >= 0 AND body_tension <= 10', name=op.f('ck_weekly_checkin_body_tension_range')),
    sa.CheckConstraint('burnout >= 1 AND burnout <= 5', name=op.f('ck_weekly_checkin_burnout_range')),
    sa.CheckConstraint('capacity_score IS NULL OR (capacity_score >= 0 AND capacity_score <= 100)', name=op.f('ck_weekly_checkin_capacity_score_range')),
    sa.CheckConstraint('emotional_exhaustion >= 0 AND emotional_exhaustion <= 10', name=op.f('ck_weekly_checkin_emotional_exhaustion_range')),
    sa.CheckConstraint('energy >= 0 AND energy <= 10', name=op.f('ck_weekly_checkin_energy_range')),
    sa.CheckConstraint('meaning >= 0 AND meaning <= 10', name=op.f('ck_weekly_checkin_meaning_range')),
    sa.CheckConstraint('reflection IS NULL OR length(reflection) <= 2000', name=op.f('ck_weekly_checkin_reflection_length')),
    sa.CheckConstraint('rumination >= 0 AND rumination <= 10', name=op.f('ck_weekly_checkin_rumination_range')),
    sa.CheckConstraint('selfcare_time >= 0 AND selfcare_time <= 10', name=op.f('ck_weekly_checkin_selfcare_time_range')),
    sa.CheckConstraint('sleep >= 0 AND sleep <= 10', name=op.f('ck_weekly_checkin_sleep_range')),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapist.id'], name=op.f('fk_weekly_checkin_therapist_id_therapist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_checkin')),
    sa.UniqueConstraint('therapist_id', 'week_start', name=op.f('uq_weekly_checkin_therapist_id_week_start'))
    )
    op.create_table('case_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('rated_on', sa.Date(), nullable=False),
    sa.Column('rated_by_user_id', sa.Integer(), nullable=True),
    sa.Column('complexity', sa.Double(), nullable=True),
    sa.Column('band', sa.String(length=16), nullable=False),
    sa.Column('interaction', sa.Double(), nullable=True),
    sa.Column('instrument_version', sa.String(length=20), nullable=False),
    sa.Column('model_version', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content_chronicity', sa.SmallInteger(), nullable=True),
    sa.Column('content_multimorbidity', sa.SmallInteger(), nullable=True),
    sa.Column('content_diagnostic_uncertainty', sa.SmallInteger(), nullable=True),
    sa.Column('content_life_stressors', sa.SmallInteger(), nullable=True),
    sa.Column('content_care_network', sa.SmallInteger(), nullable=True),
    sa.Column('content_trauma_history', sa.SmallInteger(), nullable=True),
    sa.Column('cog_catastrophizing', sa.SmallInteger(), nullable=True),
    sa.Column('cog_fear_avoidance', sa.SmallInteger(), nullable=True),
    sa.Column('cog_illness_beliefs', sa.SmallInteger(), nullable=True),
    sa.Column('cog_low_self_efficacy', sa.SmallInteger(), nullable=True),
    sa.Column('cog_expectation_mismatch', sa.SmallInteger(), nullable=True),
    sa.Column('cog_low_health_literacy', sa.SmallInteger(), nullable=True),
    sa.Column('emo_distress', sa.SmallInteger(), nullable=True),
    sa.Column('emo_anxiety', sa.SmallInteger(), nullable=True),
    sa.Column('emo_low_mood', sa.SmallInteger(), nullable=True),
    sa.Column('emo_anger_frustration', sa.SmallInteger(), nullable=True),
    sa.Column('emo_dysregulation', sa.SmallInteger(), nullable=True),
    sa.Column('beh_avoidance', sa.SmallInteger(), nullable=True),
    sa.Column('beh_overactivity', sa.SmallInteger(), nullable=True),
    sa.Column('beh_low_adherence', sa.SmallInteger(), nullable=True),
    sa.Column('beh_care_seeking', sa.SmallInteger(), nullable=True),
    sa.Column('beh_boundary_testing', sa.SmallInteger(), nullable=True),
    sa.Column('beh_personality_traits', sa.SmallInteger(), nullable=True),
    sa.Column('ther_emotional_load', sa.SmallInteger(), nullable=True),
    sa.Column('ther_powerlessness', sa.SmallInteger(), nullable=True),
    sa.Column('ther_rumination', sa.SmallInteger(), nullable=True),
    sa.Column('ther_bodily_tension', sa.SmallInteger(), nullable=True),
    sa.Column('ther_competence_doubt', sa.SmallInteger(), nullable=True),
    sa.Column('ther_relationship_strain', sa.SmallInteger(), nullable=True),
    sa.Column('safety_concern', sa.SmallInteger(), nullable=True),
    sa.Column('case_meaning', sa.SmallInteger(), nullable=True),
    sa.CheckConstraint("band IN ('uncomplicated', 'mild', 'moderate', 'severe', 'incomplete')", name=op.f('ck_case_rating_band')),
    sa.CheckConstraint('beh_avoidance >= 0 AND beh_avoidance <= 3', name=op.f('ck_case_rating_beh_avoidance_range')),
    sa.CheckConstraint('beh_boundary_testing >= 0 AND beh_boundary_testing <= 3', name=op.f('ck_case_rating_beh_boundary_testing_range')),
    sa.CheckConstraint('beh_care_seeking >= 0 AND beh_care_seeking <= 3', name=op.f('ck_case_rating_beh_care_seeking_range')),
    sa.CheckConstraint('beh_low_adherence >= 0 AND beh_low_adherence <= 3', name=op.f('ck_case_rating_beh_low_adherence_range')),
    sa.CheckConstraint('beh_overactivity >= 0 AND beh_overactivity <= 3', name=op.f('ck_case_rating_beh_overactivity_range')),
    sa.CheckConstraint('beh_personality_traits >= 0 AND beh_personality_traits <= 3', name=op.f('ck_case_rating_beh_personality_traits_range')),
    sa.CheckConstraint('case_meaning >= 0 AND case_meaning <= 3', name=op.f('ck_case_rating_case_meaning_range')),
    sa.CheckConstraint('cog_catastrophizing >= 0 AND cog_catastrophizing <= 3', name=op.f('ck_case_rating_cog_catastrophizing_range')),
    sa.CheckConstraint('cog_expectation_mismatch >= 0 AND cog_expectation_mismatch <= 3', name=op.f('ck_case_rating_cog_expectation_mismatch_range')),
    sa.CheckConstraint('cog_fear_avoidance >= 0 AND cog_fear_avoidance <= 3', name=op.f('ck_case_rating_cog_fear_avoidance_range')),
    sa.CheckConstraint('cog_illness_beliefs >= 0 AND cog_illness_beliefs <= 3', name=op.f('ck_case_rating_cog_illness_beliefs_range')),
    sa.CheckConstraint('cog_low_health_literacy >= 0 AND cog_low_health_literacy <= 3', name=op.f('ck_case_rating_cog_low_health_literacy_range')),
    sa.CheckConstraint('cog_low_self_efficacy >= 0 AND cog_low_self_efficacy <= 3', name=op.f('ck_case_rating_cog_low_self_efficacy_range')),
    sa.CheckConstraint('complexity IS NULL OR (complexity >= 0 AND complexity <= 100)', name=op.f('ck_case_rating_complexity_range')),
    sa.CheckConstraint('content_care_network >= 0 AND content_care_network <= 3', name=op.f('ck_case_rating_content_care_network_range')),
    sa.CheckConstraint('content_chronicity >= 0 AND content_chronicity <= 3', name=op.f('ck_case_rating_content_chronicity_range')),
    sa.CheckConstraint('content_diagnostic_uncertainty >= 0 AND content_diagnostic_uncertainty <= 3', name=op.f('ck_case_rating_content_diagnostic_uncertainty_range')),
    sa.CheckConstraint('content_life_stressors >= 0 AND content_life_stressors <= 3', name=op.f('ck_case_rating_content_life_stressors_range')),
    sa.CheckConstraint('content_multimorbidity >= 0 AND content_multimorbidity <= 3', name=op.f('ck_case_rating_content_multimorbidity_range')),
    sa.CheckConstraint('content_trauma_history >= 0 AND content_trauma_history <= 3', name=op.f('ck_case_rating_content_trauma_history_range')),
    sa.CheckConstraint('emo_anger_frustration >= 0 AND emo_anger_frustration <= 3', name=op.f('ck_case_rating_emo_anger_frustration_range')),
    sa.CheckConstraint('emo_anxiety >= 0 AND emo_anxiety <= 3', name=op.f('ck_case_rating_emo_anxiety_range')),
    sa.CheckConstraint('emo_distress >= 0 AND emo_distress <= 3', name=op.f('ck_case_rating_emo_distress_range')),
    sa.CheckConstraint('emo_dysregulation >= 0 AND emo_dysregulation <= 3', name=op.f('ck_case_rating_emo_dysregulation_range')),
    sa.CheckConstraint('emo_low_mood >= 0 AND emo_low_mood <= 3', name=op.f('ck_case_rating_emo_low_mood_range')),
    sa.CheckConstraint('safety_concern >= 0 AND safety_concern <= 3', name=op.f('ck_case_rating_safety_concern_range')),
    sa.CheckConstraint('ther_bodily_tension >= 0 AND ther_bodily_tension <= 3', name=op.f('ck_case_rating_ther_bodily_tension_range')),
    sa.CheckConstraint('ther_competence_doubt >= 0 AND ther_competence_doubt <= 3', name=op.f('ck_case_rating_ther_competence_doubt_range')),
    sa.CheckConstraint('ther_emotional_load >= 0 AND ther_emotional_load <= 3', name=op.f('ck_case_rating_ther_emotional_load_range')),
    sa.CheckConstraint('ther_powerlessness >= 0 AND ther_powerlessness <= 3', name=op.f('ck_case_rating_ther_powerlessness_range')),
    sa.CheckConstraint('ther_relationship_strain >= 0 AND ther_relationship_strain <= 3', name=op.f('ck_case_rating_ther_relationship_strain_range')),
    sa.CheckConstraint('ther_rumination >= 0 AND ther_rumination <= 3', name=op.f('ck_case_rating_ther_rumination_range')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_rating_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['rated_by_user_id'], ['user_account.id'], name=op.f('fk_case_rating_rated_by_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_rating'))
    )
    op.create_index(op.f('ix_case_rating_case_id_rated_on'), 'case_rating', ['case_id', 'rated_on'], unique=False)
    op.create_index(op.f('ix_case_rating_rated_by_user_id'), 'case_rating', ['rated_by_user_id'], unique=False)
    op.create_table('share_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('supervisor_user_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_share_grant_period_order')),
    sa.ForeignKeyConstraint(['supervisor_user_id'], ['user_account.id'], name=op.f('fk_share_grant_supervisor_user_id_user_account'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapist.id'], name=op.f('fk_share_grant_therapist_id_therapist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_grant'))
    )
    op.create_index(op.f('ix_share_grant_supervisor_user_id'), 'share_grant', ['supervisor_user_id'], unique=False)
    op.create_index(op.f('ix_share_grant_therapist_id'), 'share_grant', ['therapist_id'], unique=False)
    op.create_table('supervisor_team',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_supervisor_team_team_id_team'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_supervisor_team_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'team_id', name=op.f('pk_supervisor_team'))
    )
    op.create_index(op.f('ix_supervisor_team_team_id'), 'supervisor_team', ['team_id'], unique=False)
    op.create_table('therapy_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('session_date', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('complexity', sa.Double(), nullable=True),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('complexity IS NULL OR (complexity >= 0 AND complexity <= 100)', name=op.f('ck_therapy_session_complexity_range')),
    sa.CheckConstraint('duration_minutes > 0 AND duration_minutes <= 480', name=op.f('ck_therapy_session_duration_range')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_therapy_session_weight_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_therapy_session_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['therapist_id'], ['therapist.id'], name=op.f('fk_therapy_session_therapist_id_therapist'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_therapy_session'))
    )
    op.create_index(op.f('ix_therapy_session_case_id'), 'therapy_session', ['case_id'], unique=False)
    op.create_index(op.f('ix_therapy_session_therapist_id_session_date'), 'therapy_session', ['therapist_id', 'session_date'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_therapy_session_therapist_id_session_date'), table_name='therapy_session')
    op.drop_index(op.f('ix_therapy_session_case_id'), table_name='therapy_session')
    op.drop_table('therapy_session')
    op.drop_index(op.f('ix_supervisor_team_team_id'), table_name='supervisor_team')
    op.drop_table('supervisor_team')
    op.drop_index(op.f('ix_share_grant_therapist_id'), table_name='share_grant')
    op.drop_index(op.f('ix_share_grant_supervisor_user_id'), table_name='share_grant')
    op.drop_table('share_grant')
    op.drop_index(op.f('ix_case_rating_rated_by_user_id'), table_name='case_rating')
    op.drop_index(op.f('ix_case_rating_case_id_rated_on'), table_name='case_rating')
    op.drop_table('case_rating')
    op.drop_table('weekly_checkin')
    op.drop_table('user_account')
    op.drop_index(op.f('ix_selfcare_goal_therapist_id_week_start'), table_name='selfcare_goal')
    op.drop_table('selfcare_goal')
    op.drop_index(op.f('ix_research_consent_therapist_id'), table_name='research_consent')
    op.drop_table('research_consent')
    op.drop_index(op.f('ix_case_therapist_id'), table_name='case')
    op.drop_table('case')
    op.drop_index(op.f('ix_therapist_team_id'), table_name='therapist')
    op.drop_table('therapist')
    op.drop_table('team')
    op.drop_index(op.f('ix_audit_event_subject_type_subject_id'), table_name='audit_event')
    op.drop_index(op.f('ix_audit_event_at'), table_name='audit_event')
    op.drop_index(op.f('ix_audit_event_actor_user_id'), table_name='audit_event')
    op.drop_table('audit_event')
