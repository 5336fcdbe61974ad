"""The controlled vocabulary: themes (job families) and skills."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobilite.models.base import Base


class Theme(Base):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label_fr: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))

    skills: Mapped[list[Skill]] = relationship(back_populates="theme", order_by="Skill.label_fr")

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_fr


class Skill(Base):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="RESTRICT"), index=True)
    label_fr: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))

    theme: Mapped[Theme] = relationship(back_populates="skills")

    def label(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label_fr
